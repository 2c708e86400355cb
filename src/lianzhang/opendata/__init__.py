"""Open data: a catalogue of datasets and the de-identification engine that guards every release."""
