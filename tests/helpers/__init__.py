"""Test helpers shared by the suite and by the subprocess scripts it launches."""
