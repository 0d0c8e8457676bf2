"""The app's own tests: run `pytest` in the app's folder (they are never deployed as routes)."""
