"""The live pipeline: frames → observations → fused reads → sealed store → hotlist alerts."""
