-- The snapshot reaches a county's members through its households
-- (households_county, then members_household), so members need no county
-- index of their own: one B-tree fewer to keep up on every imported member.
DROP INDEX members_county;
