"""Keys kept outside the database: the data keys that seal secrets stored in it (`data_keys`), key ids
shared by every key ring (`key_ids`), and production's check that each key ring has a key (`readiness`)."""
