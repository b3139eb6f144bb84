-- A unit's members in list order, by status: a member list page is chosen from this index
-- alone (the status filter, the sort key and the id that breaks its ties are in it; an
-- index-only scan), then only the page's rows are read. It replaces the index on (unit,
-- sort key), which it covers for every list but the unfiltered one.
create index members_unit_status_sort on members (unit_id, status, sort_key, id);
drop index members_unit_sort;
