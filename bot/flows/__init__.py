"""The bot's use cases, written once: handlers and jobs parse what arrives and call one of these."""
