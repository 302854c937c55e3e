"""Figures and their files, drawn offscreen."""
