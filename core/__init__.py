"""The ground floor: helpers every app stands on. It imports no app."""
