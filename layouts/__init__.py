"""Page skeletons: controls and empty containers only; callbacks fill them, layouts never query."""
