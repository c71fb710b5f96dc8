"""Every read of the one-stop module, already filtered by what the actor may see."""
