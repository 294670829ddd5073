"""plansmith.git_backend"""
