"""plansmith.agents"""
