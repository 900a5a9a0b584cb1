from .. import LanguageResources

RESOURCES = LanguageResources(
    code="en",
    months={
        "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
        "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
        "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11,
        "nov": 11, "december": 12, "dec": 12,
    },
    weekdays=("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    crumb_heads=("home",),
    furniture=("cookies", "sign in", "log in", "password", "subscribe", "newsletter",
               "read more", "most read", "most popular", "leave a comment", "terms of use",
               "privacy policy", "all rights reserved", "follow us", "skip to content",
               "jump to navigation"),
    related_links=("read more", "read also", "see also", "related", "more on this story",
                   "recommended"),
    prev_next=("previous article", "next article", "previous post", "next post"),
    widget_lines=("share", "share on facebook", "share on twitter", "tweet", "email", "print",
                  "advertisement", "subscribe", "sign up", "comments", "copy link",
                  "all rights reserved", "follow us"),
    counter_words=("share", "shares", "comment", "comments", "view", "views", "likes"),
    date_keys=("date", "published", "published on", "updated", "last updated", "posted"),
    byline_keys=("by",),
    credit_keys=("with", "source", "sources", "credit"),
    yesterday=("yesterday",),
    today=("today",),
)
