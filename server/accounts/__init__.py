"""People and how they prove who they are: sign-up, sign-in, sessions, emailed links."""
