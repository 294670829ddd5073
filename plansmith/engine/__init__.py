"""plansmith.engine"""
