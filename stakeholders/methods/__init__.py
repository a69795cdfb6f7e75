"""Pure computation of the stakeholder analysis, without Django: salience classes, the power-interest
grid, network measures and Gould-Fernandez brokerage, resource valuation. Plain values in, plain out."""
