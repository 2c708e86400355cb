"""De-identification engine (GB/T 37964-2019): identify, process, verify; pure Python, no Django."""
