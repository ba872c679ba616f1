"""The province / city viewer's side-by-side view of many counties (省/市人大), served by the gateway."""
