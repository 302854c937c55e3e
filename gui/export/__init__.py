"""Figures and animations and their files, drawn offscreen."""
