"""Operations: the daily run and the demo, on top of every app; they call the apps' services."""
