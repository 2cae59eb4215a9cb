"""Use-cases: they change the database through the session and flush; the request commits."""
