-- What a reservation holds: load room (load, charging) or back-feed room (generation). A generator's
-- reservation takes nothing from the load a transformer or feeder can still carry, nor a load's from the
-- generation it can still take (docs/ENGINEERING.md §4, §4c). The reservations made before were all counted
-- as load; the generators' among them are the reservations of distributed-generation tickets, the one
-- business type of generation nature in every pack so far.
ALTER TABLE reservations ADD COLUMN nature TEXT NOT NULL DEFAULT 'load';
UPDATE reservations SET nature = 'generation'
 WHERE ticket_id IN (SELECT id FROM tickets WHERE business_type = 'distributed_generation');
