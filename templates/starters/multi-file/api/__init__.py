"""The app's API: models in api.models, routes in api.routes."""
