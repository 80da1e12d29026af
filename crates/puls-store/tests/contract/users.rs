//! The users side of the contract: the one-time first owner, accounts, memberships,
//! sessions, invitations and setup tokens.

use std::sync::Arc;

use puls_store::{Acceptor, NewUser, Store, UserWrite};

fn new_user<'a>(email: &'a str) -> NewUser<'a> {
    NewUser {
        email,
        name: "Ana Nováková",
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
        locale: "cs",
    }
}

const DAY: i64 = 86_400_000;

both_backends!(the_first_owner_is_created_once_and_owns_every_workspace);
async fn the_first_owner_is_created_once_and_owns_every_workspace(store: Arc<dyn Store>) {
    assert_eq!(store.user_count().await.unwrap(), 0);
    let token = store
        .create_setup_token(DAY)
        .await
        .unwrap()
        .expect("a token before setup");
    assert!(store.setup_token_valid(&token).await.unwrap());
    assert!(!store.setup_token_valid("guess").await.unwrap());
    // Without any workspace, setup creates the named one.
    let owner = match store
        .create_first_owner(new_user("ana@shop.cz"), ("shop", "Shop"))
        .await
        .unwrap()
    {
        UserWrite::Done(u) => u,
        other => panic!("{other:?}"),
    };
    assert!(owner.id.as_str().starts_with("usr_"));
    let m = store.memberships(&owner.id).await.unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].workspace.slug.as_str(), m[0].role.as_str()),
        ("shop", "owner")
    );
    // Once only, whoever asks; and tokens die with the setup.
    assert_eq!(
        store
            .create_first_owner(new_user("eva@shop.cz"), ("other", "Other"))
            .await
            .unwrap(),
        UserWrite::SetupDone
    );
    assert!(!store.setup_token_valid(&token).await.unwrap());
    assert_eq!(store.create_setup_token(DAY).await.unwrap(), None);
    assert_eq!(store.user_count().await.unwrap(), 1);
    assert!(store.workspace_by_slug("other").await.unwrap().is_none());
}

both_backends!(a_first_owner_owns_the_workspaces_that_exist);
async fn a_first_owner_owns_the_workspaces_that_exist(store: Arc<dyn Store>) {
    let a = store.ensure_workspace("demo", "Demo").await.unwrap();
    let b = store.ensure_workspace("shop", "Shop").await.unwrap();
    let UserWrite::Done(owner) = store
        .create_first_owner(new_user("ana@shop.cz"), ("unused", "Unused"))
        .await
        .unwrap()
    else {
        panic!("setup refused")
    };
    let slugs: Vec<String> = store
        .memberships(&owner.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.workspace.slug)
        .collect();
    assert_eq!(slugs, ["demo", "shop"]);
    assert!(store.workspace_by_slug("unused").await.unwrap().is_none());
    assert_eq!(
        store.role_in(&owner.id, a.id).await.unwrap().as_deref(),
        Some("owner")
    );
    assert_eq!(
        store.role_in(&owner.id, b.id).await.unwrap().as_deref(),
        Some("owner")
    );
}

both_backends!(accounts_memberships_and_sessions);
async fn accounts_memberships_and_sessions(store: Arc<dyn Store>) {
    let ws = store.ensure_workspace("shop", "Shop").await.unwrap();
    let UserWrite::Done(ana) = store.create_user(new_user("ana@shop.cz")).await.unwrap() else {
        panic!()
    };
    assert_eq!(
        store.create_user(new_user("ana@shop.cz")).await.unwrap(),
        UserWrite::EmailTaken
    );
    assert_eq!(
        store.user_by_email("ana@shop.cz").await.unwrap(),
        Some(ana.clone())
    );
    assert_eq!(store.user_by_id(&ana.id).await.unwrap(), Some(ana.clone()));
    assert_eq!(store.user_by_email("nul\0l").await.unwrap(), None);

    assert_eq!(store.role_in(&ana.id, ws.id).await.unwrap(), None);
    store
        .set_membership(ws.id, &ana.id, "viewer")
        .await
        .unwrap();
    store
        .set_membership(ws.id, &ana.id, "analyst")
        .await
        .unwrap();
    let members = store.members(ws.id).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].role, "analyst");
    assert_eq!(members[0].user.email, "ana@shop.cz");

    // Sessions: the token opens the session until it is deleted or expires.
    let (t1, s1) = store.create_session(&ana.id, DAY).await.unwrap();
    let (t2, _) = store.create_session(&ana.id, DAY).await.unwrap();
    let (got, user) = store.session(&t1).await.unwrap().expect("live session");
    assert_eq!((got, user.id.as_str()), (s1.clone(), ana.id.as_str()));
    assert_eq!(s1.csrf.len(), 32);
    assert!(store.session("not-a-token").await.unwrap().is_none());
    let (expired, _) = store.create_session(&ana.id, -1).await.unwrap();
    assert!(store.session(&expired).await.unwrap().is_none());

    // A new password ends every other session.
    store
        .set_password(&ana.id, "$argon2id$new", Some(&t1))
        .await
        .unwrap();
    assert!(store.session(&t1).await.unwrap().is_some());
    assert!(store.session(&t2).await.unwrap().is_none());
    let ana2 = store.user_by_id(&ana.id).await.unwrap().unwrap();
    assert_eq!(ana2.password_hash, "$argon2id$new");
    assert!(ana2.password_changed_at >= ana.password_changed_at);
    store.set_user_locale(&ana.id, "pl").await.unwrap();
    assert_eq!(
        store.user_by_id(&ana.id).await.unwrap().unwrap().locale,
        "pl"
    );
    store.delete_session(&t1).await.unwrap();
    assert!(store.session(&t1).await.unwrap().is_none());

    assert!(store.rename_workspace(ws.id, "Shop & Co").await.unwrap());
    assert_eq!(
        store.workspace_by_slug("shop").await.unwrap().unwrap().name,
        "Shop & Co"
    );
    assert!(
        !store
            .rename_workspace(puls_store::WorkspaceId::new(-1), "x")
            .await
            .unwrap()
    );
    assert!(store.remove_membership(ws.id, &ana.id).await.unwrap());
    assert!(!store.remove_membership(ws.id, &ana.id).await.unwrap());
    assert!(store.memberships(&ana.id).await.unwrap().is_empty());
}

both_backends!(an_invitation_is_used_once);
async fn an_invitation_is_used_once(store: Arc<dyn Store>) {
    let ws = store.ensure_workspace("shop", "Shop").await.unwrap();
    let token = store
        .create_user_invitation(ws.id, "eva@shop.cz", "agent", None, DAY)
        .await
        .unwrap();
    let pending = store.pending_invitations(ws.id).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].email, "eva@shop.cz");
    let spare = store
        .create_user_invitation(ws.id, "spare@shop.cz", "viewer", None, DAY)
        .await
        .unwrap();
    let spare_id = store
        .pending_invitations(ws.id)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.email == "spare@shop.cz")
        .unwrap()
        .id;
    assert!(store.withdraw_invitation(ws.id, &spare_id).await.unwrap());
    assert!(!store.withdraw_invitation(ws.id, &spare_id).await.unwrap());
    assert!(store.user_invitation(&spare).await.unwrap().is_none());
    let inv = store.user_invitation(&token).await.unwrap().unwrap();
    assert_eq!(
        (inv.email.as_str(), inv.role.as_str()),
        ("eva@shop.cz", "agent")
    );
    assert_eq!(inv.accepted_at, None);
    let UserWrite::Done(eva) = store
        .accept_user_invitation(&token, Acceptor::New(new_user("eva@shop.cz")))
        .await
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(
        store.role_in(&eva.id, ws.id).await.unwrap().as_deref(),
        Some("agent")
    );
    assert_eq!(
        store
            .accept_user_invitation(&token, Acceptor::Existing(&eva.id))
            .await
            .unwrap(),
        UserWrite::InvitationInvalid
    );
    assert!(
        store
            .user_invitation(&token)
            .await
            .unwrap()
            .unwrap()
            .accepted_at
            .is_some()
    );
    assert!(
        store.pending_invitations(ws.id).await.unwrap().is_empty(),
        "used ones are not pending"
    );
    // An existing user joins another workspace; an expired invitation is refused; a taken
    // email leaves the invitation unused.
    let other = store.ensure_workspace("other", "Other").await.unwrap();
    let t2 = store
        .create_user_invitation(other.id, "eva@shop.cz", "viewer", Some(&eva.id), DAY)
        .await
        .unwrap();
    assert_eq!(
        store
            .accept_user_invitation(&t2, Acceptor::New(new_user("eva@shop.cz")))
            .await
            .unwrap(),
        UserWrite::EmailTaken
    );
    assert!(matches!(
        store
            .accept_user_invitation(&t2, Acceptor::Existing(&eva.id))
            .await
            .unwrap(),
        UserWrite::Done(_)
    ));
    assert_eq!(store.memberships(&eva.id).await.unwrap().len(), 2);
    let t3 = store
        .create_user_invitation(ws.id, "old@shop.cz", "viewer", None, -1)
        .await
        .unwrap();
    assert_eq!(
        store
            .accept_user_invitation(&t3, Acceptor::New(new_user("old@shop.cz")))
            .await
            .unwrap(),
        UserWrite::InvitationInvalid
    );
}
