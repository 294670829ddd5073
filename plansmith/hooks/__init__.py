"""plansmith.hooks"""
