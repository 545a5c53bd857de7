"""The local stack: the template's resources in moto, its functions run in-process."""
