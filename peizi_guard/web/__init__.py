"""The web service (`peizi-guard serve`): JSON API, investor page, limits. FastAPI on uvicorn."""
