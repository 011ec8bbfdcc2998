using Microsoft.EntityFrameworkCore;

namespace Tagflow.Data;

/// <summary>Saving a name that must be unique in its account, when two requests may race for it.</summary>
internal static class UniqueNames
{
    /// <summary>
    /// Saves the context's changes; false if the save failed because the name was taken meanwhile
    /// (a concurrent request won the race the checks before the save could not see), so that the
    /// caller answers its 406 and not a 500. Any other failure is thrown.
    /// </summary>
    public static async Task<bool> SaveUnlessTakenAsync(TagflowDb db, Func<CancellationToken, Task<bool>> taken, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (await taken(cancellationToken)) return false;
            throw;
        }
    }
}
