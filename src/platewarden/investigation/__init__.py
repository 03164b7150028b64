"""Investigation: a vehicle's movements as an evidence chain, and checks that flag cloned plates and misreads."""
