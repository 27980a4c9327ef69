"""Language names as fans and AO3 write them ("English", "Español") -> BCP 47 tags; direction."""

from __future__ import annotations

import re
import unicodedata

_NAMES = {
    "english": "en", "deutsch": "de", "german": "de", "français": "fr", "francais": "fr",
    "french": "fr", "español": "es", "espanol": "es", "spanish": "es", "italiano": "it",
    "italian": "it", "português": "pt", "portugues": "pt", "portuguese": "pt",
    "português brasileiro": "pt-BR", "nederlands": "nl", "dutch": "nl", "polski": "pl",
    "polish": "pl", "русский": "ru", "russian": "ru", "українська": "uk", "ukrainian": "uk",
    "svenska": "sv", "swedish": "sv", "norsk": "no", "norwegian": "no", "dansk": "da",
    "danish": "da", "suomi": "fi", "finnish": "fi", "čeština": "cs", "czech": "cs",
    "magyar": "hu", "hungarian": "hu", "türkçe": "tr", "turkish": "tr", "ελληνικά": "el",
    "greek": "el", "العربية": "ar", "arabic": "ar", "עברית": "he", "hebrew": "he",
    "فارسی": "fa", "persian": "fa", "中文": "zh", "中文-普通话 國語": "zh", "chinese": "zh",
    "日本語": "ja", "japanese": "ja", "한국어": "ko", "korean": "ko", "tiếng việt": "vi",
    "vietnamese": "vi", "bahasa indonesia": "id", "indonesian": "id", "ไทย": "th", "thai": "th",
    "hindi": "hi", "हिन्दी": "hi", "català": "ca", "catalan": "ca", "latina": "la", "latin": "la",
    "português europeu": "pt-PT", "română": "ro", "galego": "gl", "euskara": "eu", "latine": "la",
    "esperanto": "eo", "toki pona": "tok", "hrvatski": "hr", "lietuvių kalba": "lt",
}  # fmt: skip
_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
# Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic and their presentation forms.
_RTL_SCRIPT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]|[\U00010800-\U00010fff]"
                         "|[\U0001e800-\U0001efff]")
RTL_LANGUAGES = {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv"}


def language_tag(value: str) -> str | None:
    """A BCP 47 tag for what the author wrote, or None when it is not a language we know."""
    v = " ".join(value.strip().split())
    if v.lower() in _NAMES:
        return _NAMES[v.lower()]
    if _TAG.match(v):
        return v
    return None


def direction(lang: str, text: str = "") -> str:
    """'rtl' for right-to-left languages or text written mostly in RTL scripts, else 'ltr'."""
    if lang.split("-")[0].lower() in RTL_LANGUAGES:
        return "rtl"
    sample = text[:4000]
    if not _RTL_SCRIPT.search(sample):
        return "ltr"  # the common case, without looking at every character
    rtl = sum(1 for ch in sample if unicodedata.bidirectional(ch) in {"R", "AL"})
    ltr = sum(1 for ch in sample if unicodedata.bidirectional(ch) == "L")
    return "rtl" if rtl > ltr else "ltr"
