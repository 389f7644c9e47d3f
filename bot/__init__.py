"""The Slack app, the command line and scheduling: everything that talks to the outside."""
