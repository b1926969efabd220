"""`orgkit diff`: one seeded scenario played against two implementations, compared step by step."""
