"""plansmith.daemon"""
