using Microsoft.EntityFrameworkCore;
using Tagflow.Contacts;

namespace Tagflow.Data;

/// <summary>
/// The id of a new contact before it is saved. On PostgreSQL an instance takes a block of
/// <see cref="Block"/> ids from the contacts' identity sequence in one query and hands them out one
/// by one: a new contact is then inserted with the change's other rows in one round trip, instead
/// of in one of its own for the id the database gives it. The sequence hands each id out once,
/// whichever instance or import asks (an id taken and not used is a gap, as a rolled-back insert
/// leaves one). So ids still grow in the order contacts are created through one instance; through
/// several, each instance's block interleaves with the others'. On SQLite the contact is saved at
/// once for its id, which costs no round trip there (<see cref="TagflowDb.SaveNewAsync"/>).
/// </summary>
internal sealed class ReservedIds
{
    public const int Block = 32;

    private static readonly string NextBlock =
        $"SELECT nextval(pg_get_serial_sequence('\"Contacts\"', 'Id')) AS \"Value\" FROM generate_series(1, {Block}) ORDER BY 1";

    private readonly Queue<long> _contacts = new(Block);
    private readonly SemaphoreSlim _refill = new(1, 1);

    /// <summary>Adds a new contact to the change with its id set, and tracks it from then on as if it had been read or, on PostgreSQL, as added.</summary>
    public async Task AddNewContactAsync(TagflowDb db, Contact contact, CancellationToken cancellationToken)
    {
        if (db is not PostgresTagflowDb)
        {
            await db.SaveNewAsync(contact, cancellationToken);
            return;
        }
        contact.Id = await NextContactIdAsync(db, cancellationToken);
        db.Contacts.Add(contact);
    }

    private async Task<long> NextContactIdAsync(TagflowDb db, CancellationToken cancellationToken)
    {
        await _refill.WaitAsync(cancellationToken);
        try
        {
            if (_contacts.Count == 0)
            {
                foreach (var id in await db.Database.SqlQueryRaw<long>(NextBlock).ToListAsync(cancellationToken)) _contacts.Enqueue(id);
            }
            return _contacts.Dequeue();
        }
        finally
        {
            _refill.Release();
        }
    }
}
