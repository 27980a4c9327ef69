"""The one place untrusted HTML becomes safe XHTML: sanitizing, typography, pictures, language."""
