// A sign-in that has ended (idle timeout, lifetime, signed out elsewhere) makes every callback answer 401. Rather
// than a console error and stale numbers on screen, go to the sign-in form once, with a message; after signing
// in, it brings the person back to this same address (the filters are in it).
(function () {
    'use strict';
    const realFetch = window.fetch;
    let leaving = false;
    window.fetch = function (input) {
        return realFetch.apply(this, arguments).then(function (response) {
            const url = typeof input === 'string' ? input : (input && input.url) || '';
            if (response.status === 401 && url.indexOf('/_dash-') !== -1 && !leaving) {
                leaving = true;
                window.location.assign('/login?expired=1&next=' +
                                       encodeURIComponent(window.location.pathname + window.location.search));
            }
            return response;
        });
    };
})();
