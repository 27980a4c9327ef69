"""The pipeline: inputs read into stories, books built and written, batches, --watch."""
