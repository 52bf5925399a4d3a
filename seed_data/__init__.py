"""Reference data (framework, guides, default standard and scale) and the demo / benchmark generator."""
