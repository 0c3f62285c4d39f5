"""Tessera's operator CLI: the embedded database, the Sqitch-compatible engine, drift checks and exports."""
