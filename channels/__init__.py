"""Intake channels, one subpackage each; `create_app` loads those named in GRIEVANCE_CHANNELS."""
