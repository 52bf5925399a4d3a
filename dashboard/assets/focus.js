// Focus management for keyboard and screen-reader users (WCAG 2.4.3): Dash re-renders parts of the page without a
// page load, so the browser would leave focus where it was (a nav link) or drop it on <body>.
(function () {
    'use strict';
    let waiting = null;  // the one pending move of focus

    function heading() { return document.querySelector('#_pages_content h1'); }

    // Poll (100 ms, up to 10 s) until `find` returns an element that `isNew` accepts and that can take focus: the
    // content arrives from a callback, and dcc.Loading keeps it hidden (unfocusable) until the callback is done.
    function focusWhenReady(find, isNew, then) {
        if (waiting) clearInterval(waiting);
        let tries = 0;
        waiting = setInterval(function () {
            const target = find();
            if (++tries > 100) { clearInterval(waiting); waiting = null; return; }
            if (!target || !isNew(target)) return;
            target.setAttribute('tabindex', '-1');
            target.focus({preventScroll: true});
            if (document.activeElement !== target) return;  // still hidden: try again
            clearInterval(waiting);
            waiting = null;
            target.scrollIntoView({block: 'start'});
            if (then) then();
        }, 100);
    }

    function closePhoneMenu() {
        const menu = document.getElementById('shell-collapse');
        const toggler = document.getElementById('shell-toggler');
        if (menu && toggler && menu.classList.contains('show')) toggler.click();
    }

    // A navbar link (Dash pages push a new address) or Back/Forward: once the new page's heading is on screen,
    // focus it, so a screen reader announces the page and Tab continues inside it.
    function pageChanged() {
        const old = heading();
        focusWhenReady(heading, function (now) { return now !== old; }, closePhoneMenu);
    }
    // An address with a fragment (/help#principle-coverage, from a panel's "What this means"): the browser looks
    // for the element before the page's content has arrived and gives up; wait for it, then focus and scroll to it.
    // Wait for its text too: a Help entry's Markdown is drawn by a script loaded on first use, after the entry
    // itself exists, and focus or a scroll before that would land on an empty box that then grows.
    function goToFragment(hash) {
        const id = decodeURIComponent(hash.slice(1));
        focusWhenReady(function () { return document.getElementById(id); },
                       function (target) { return target.textContent.trim() !== ''; }, closePhoneMenu);
    }
    const push = history.pushState;
    history.pushState = function (state, title, url) {
        const hash = url ? new URL(url, location.href).hash : '';
        if (hash.length > 1) goToFragment(hash); else pageChanged();
        return push.apply(this, arguments);
    };
    window.addEventListener('popstate', pageChanged);
    if (location.hash.length > 1) goToFragment(location.hash);

    document.addEventListener('click', function (event) {
        if (!event.target.closest) return;
        // The skip link: focus the page itself (following "#main" alone would also change the address, which Dash
        // listens to, and not every browser moves focus to a fragment's target).
        const main = document.getElementById('main');
        if (event.target.closest('a.skip-link') && main) {
            event.preventDefault();
            main.focus();
            return;
        }
        // My team: a worker opened from the roster (click, Enter or Space) gets focus on their name once the
        // profile, which starts below the roster, is on screen: it is scrolled to and read out.
        const button = event.target.closest('.roster-worker-button');
        if (button) {
            const wanted = button.textContent;
            focusWhenReady(function () { return document.getElementById('profile-name'); },
                           function (name) { return name.textContent === wanted; });
        }
    }, true);

    // A form dialog that saves re-renders the profile behind it, so the button that opened it is replaced and focus
    // falls to <body> when the dialog closes. For a while after a dialog closes, put focus back on the button with
    // the same id (or text) as the one that opened it; the saved message is announced by its live region.
    // "A while" is counted in ticks of a page that is not waiting for Dash, not in seconds: on a slow machine the
    // redraw that replaces the button can arrive long after the dialog closed, with the page too busy to tick.
    let opener = null;
    let dialogOpen = false;
    let restoreTicks = 0;  // ticks left; 25 of 200 ms are 5 s of an idle page
    document.addEventListener('focusin', function (event) {
        if (!event.target.closest('.modal, .offcanvas')) {
            opener = {id: event.target.id, text: event.target.textContent, tag: event.target.tagName};
        }
    });
    setInterval(function () {
        const open = !!document.querySelector('.modal.show');
        if (dialogOpen && !open) restoreTicks = 25;
        dialogOpen = open;
        if (open || !opener || restoreTicks <= 0) return;
        if (!document.querySelector('[data-dash-is-loading="true"]')) restoreTicks -= 1;
        if (document.activeElement && document.activeElement !== document.body) return;
        const again = (opener.id && document.getElementById(opener.id)) || Array.prototype.find.call(
            document.querySelectorAll('#_pages_content ' + opener.tag), function (e) {
                return e.textContent === opener.text;
            });
        if (again) again.focus();  // and again if the re-render replaces it within the few seconds
    }, 200);
})();
