/// The page's stylesheet and script, served as files (`/ops/static/...`) so that the page's
/// Content-Security-Policy allows no inline script or style at all: markup that slipped through
/// escaping could not run.
public enum Assets {
    /// Below the console's root, `/ops`.
    static let styleFile = "static/console.css"
    static let scriptFile = "static/console.js"
    public static let stylePath = "/ops/" + styleFile
    public static let scriptPath = "/ops/" + scriptFile

    public static let style = """
        body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem;color:#1b1b1b}
        table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}
        .bar{display:block;width:100%;height:1.5rem;background:#eee;border:1px solid #999}.bar-spent{fill:#005ea2}
        .bar-projected{fill:#73b3e7}.bar.soft .bar-projected{fill:#e5a000}.bar.over .bar-projected{fill:#d83933}.bar-limit{fill:#1b1b1b}
        .legend .key{display:inline-block;width:1rem;height:.8rem;margin-left:.6rem}.key.spent{background:#005ea2}
        .key.projected{background:#73b3e7}.key.limit{background:#1b1b1b;width:3px}
        .state.succeeded,.slo-state.ok{color:#00702b}.state.failed,.state.timed_out,.slo-state.breached,.incident{color:#b50909;font-weight:bold}
        .state.running{color:#005ea2}.slo-state.at-risk{color:#8a4b00;font-weight:bold}ul.jobs{margin:0;padding-left:1rem}
        .verdict.hold{color:#8a4b00;font-weight:bold}.verdict.deny{color:#b50909;font-weight:bold}
        form{display:inline-block;margin:.2rem}button{font:inherit;padding:.3rem .9rem}button.approve{background:#00a91c;color:#fff;border:0}
        button.reject{background:#b50909;color:#fff;border:0}.sr{position:absolute;left:-9999px}.filter label{margin-right:1rem}
        .notice{background:#e7f6f8;padding:.5rem}:focus{outline:3px solid #2491ff}
        """

    /// Live updates: one server-sent event per reconcile pass; the page reloads its sections in place.
    /// Without JavaScript the page is complete, only not live.
    public static let script = """
        (function(){if(!window.EventSource)return;var es=new EventSource('/ops/events'+location.search);
        es.addEventListener('pass',function(e){fetch(location.pathname+location.search,{credentials:'same-origin',headers:{'X-HMS-Background':'1'}})
        .then(function(r){return r.ok?r.text():null}).then(function(t){if(!t)return;
        var d=new DOMParser().parseFromString(t,'text/html');['services','budgets','directives','held','journal'].forEach(function(id){
        var n=document.getElementById(id),m=d.getElementById(id);if(!n||!m)return;
        if((id==='held'||id==='journal')&&n.contains(document.activeElement))return;n.replaceWith(m)});
        var p=document.getElementById('pass'),q=d.getElementById('pass');if(p&&q)p.replaceWith(q);
        document.getElementById('live').textContent='Updated.'})});})();
        """
}
