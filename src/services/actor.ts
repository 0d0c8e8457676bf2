import type { Principal } from '../auth/principal.js';
import { UnauthorizedError } from '../errors.js';
import type { Actor } from '../gitops/operation.js';
import type { Store } from '../ports/store.js';

/** Who a commit is by: the token's user as stored now (a deleted account cannot commit). */
export async function actorOf(users: Pick<Store['users'], 'byId'>, principal: Principal): Promise<Actor> {
  const user = await users.byId(principal.userId);
  if (!user) throw new UnauthorizedError('the account behind this token no longer exists');
  return { id: user.id, username: user.username, email: user.email };
}
