"""Chain map, weak-link analysis and the investment-attraction list (产业链招商清单)."""
