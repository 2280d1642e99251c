"""Robot descriptions, one module per robot (each with its MJCF under ``models/``)."""
