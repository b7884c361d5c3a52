"""From the pieces of a value region to cells: the number domain (`number`), the reading rules (`rules`, `gaps`,
checked row by row in `walk`), and the arithmetic search that settles them (`search`)."""
