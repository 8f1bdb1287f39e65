"""The learning loop: training data from moderators' decisions, candidate models, their
comparison with the current model, and the record of promotions."""
