"""opendata: Chinese government information-disclosure annual reports as a validated Frictionless data package."""

__version__ = "0.1.0"
