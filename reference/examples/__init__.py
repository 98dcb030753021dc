# Programs built on the reference, runnable with `python -m reference.examples.<name>`.
