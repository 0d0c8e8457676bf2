"""The app's API: models in api.models, shared state in api.store, one router per module."""
