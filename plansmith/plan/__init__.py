"""The pure plan core: text in, values out. No file system, no git, no clock, no environment.

It must not hold logic of its own.
"""
