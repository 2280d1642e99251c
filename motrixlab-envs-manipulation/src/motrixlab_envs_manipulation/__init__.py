"""MotrixLab manipulation environments. Importing this package registers nothing: the `plugin` module
is what MotrixLab loads through the `motrixlab` entry point."""
