"""Children's privacy: consent per purpose, guardians, visibility, export, deletion."""
